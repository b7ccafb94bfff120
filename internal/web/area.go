package web

import (
	"context"
	"net/url"

	"cptrends/indicators"
	"cptrends/internal/figures"

	"github.com/labstack/echo/v4"
)

// areaParam is the query parameter that carries the chosen area, so that
// the choice is in the address: shareable and bookmarkable. The API's
// "geography" is accepted too.
const areaParam = "area"

// requestArea is the area a page was asked for: England when none.
func (s *Server) requestArea(c echo.Context) (indicators.Geography, error) {
	code := c.QueryParam(areaParam)
	if code == "" {
		code = c.QueryParam("geography")
	}
	return s.fig.Geography(c.Request().Context(), s.fig.Current(code))
}

// areaQuery is the query string that keeps an area in links: "" for
// England, "?area=E09000012" otherwise.
func areaQuery(geo indicators.Geography) string {
	if geo.Code == "" || geo.Code == indicators.EnglandCode {
		return ""
	}
	return "?" + url.Values{areaParam: {geo.Code}}.Encode()
}

// areaPickerView is the area form: a select of every area, grouped, that
// reloads the same page with ?area= in its address.
type areaPickerView struct {
	Action  string
	Current indicators.Geography
	Groups  []figures.AreaGroup
}

func (s *Server) picker(ctx context.Context, action string, geo indicators.Geography) (areaPickerView, error) {
	groups, err := s.fig.AreaGroups(ctx)
	return areaPickerView{Action: action, Current: geo, Groups: groups}, err
}
