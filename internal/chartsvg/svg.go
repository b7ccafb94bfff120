package chartsvg

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// elements are the SVG elements a chart is drawn with. ECharts' <style>
// (hover rules, which the live chart gives instead) is left out with all it
// holds; any other element means the SVG is not one of ours, and it is
// refused.
var elements = map[string]bool{
	"svg": true, "g": true, "path": true, "rect": true, "circle": true, "ellipse": true, "line": true,
	"polyline": true, "polygon": true, "text": true, "tspan": true, "defs": true, "clipPath": true,
	"linearGradient": true, "radialGradient": true, "stop": true, "title": true,
}

var dropped = map[string]bool{"style": true}

// attributes are the geometry and presentation attributes kept; others
// (class names, ECharts' metadata, event handlers, links) are left out.
var attributes = map[string]bool{
	"d": true, "x": true, "y": true, "x1": true, "y1": true, "x2": true, "y2": true, "cx": true, "cy": true,
	"r": true, "rx": true, "ry": true, "width": true, "height": true, "points": true, "transform": true,
	"fill": true, "fill-opacity": true, "fill-rule": true, "stroke": true, "stroke-width": true,
	"stroke-opacity": true, "stroke-dasharray": true, "stroke-dashoffset": true, "stroke-linecap": true,
	"stroke-linejoin": true, "stroke-miterlimit": true, "opacity": true, "paint-order": true,
	"dominant-baseline": true, "text-anchor": true, "font-size": true, "font-family": true,
	"font-weight": true, "font-style": true, "clip-path": true, "clipPathUnits": true,
	"gradientUnits": true, "gradientTransform": true, "offset": true, "stop-color": true,
	"stop-opacity": true, "visibility": true, "id": true, "viewBox": true,
}

// renamed keeps ECharts' note of which series and data item a shape draws,
// and whether it is in the plot or the legend, as data attributes.
var renamed = map[string]string{"ecmeta_series_index": "data-series", "ecmeta_data_index": "data-index", "ecmeta_ssr_type": "data-kind"}

// fromStyle are the properties of a style attribute that are also
// presentation attributes: a style="" would be stopped by the pages'
// Content-Security-Policy (no inline styles), so they move to attributes.
var fromStyle = map[string]bool{
	"font-size": true, "font-family": true, "font-weight": true, "font-style": true, "fill": true,
	"fill-opacity": true, "stroke": true, "stroke-width": true, "stroke-opacity": true, "opacity": true,
	"dominant-baseline": true, "text-anchor": true, "visibility": true, "paint-order": true,
}

// localURL is the one form of url() kept: a reference to an id in the same
// SVG (a clip path, a gradient).
var localURL = regexp.MustCompile(`^url\(#([A-Za-z0-9_-]+)\)$`)

const svgNS = "http://www.w3.org/2000/svg"

// clean reads the SVG that ECharts wrote and writes it out again with only
// the elements and attributes above, every id prefixed, and the outer
// <svg> with its viewBox and no fixed size. Text is written escaped by
// this function, whatever ECharts did with it.
func clean(raw, idPrefix string) (string, error) {
	d := xml.NewDecoder(strings.NewReader(raw))
	d.Strict = true
	var b strings.Builder
	b.Grow(len(raw))
	depth, skip := 0, 0
	var stack []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", fmt.Errorf("chartsvg: read SVG: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			name := t.Name.Local
			if skip > 0 || dropped[name] {
				skip++
				continue
			}
			if t.Name.Space != svgNS || !elements[name] {
				return "", fmt.Errorf("chartsvg: SVG element <%s> is not one a chart uses", name)
			}
			if depth == 0 && name != "svg" {
				return "", errors.New("chartsvg: not an SVG document")
			}
			if depth > 0 && name == "svg" {
				return "", errors.New("chartsvg: nested <svg>")
			}
			if err := writeStart(&b, t, depth == 0, idPrefix); err != nil {
				return "", err
			}
			stack = append(stack, name)
			depth++
		case xml.EndElement:
			if skip > 0 {
				skip--
				continue
			}
			depth--
			b.WriteString("</" + stack[len(stack)-1] + ">")
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if skip > 0 || depth == 0 {
				continue
			}
			if strings.TrimSpace(string(t)) == "" {
				// Newlines between shapes: nothing to draw.
				if len(stack) > 0 && (stack[len(stack)-1] == "text" || stack[len(stack)-1] == "tspan") {
					xml.EscapeText(&b, t)
				}
				continue
			}
			if xml.EscapeText(&b, t) != nil {
				return "", errors.New("chartsvg: write SVG text")
			}
		case xml.Directive, xml.ProcInst, xml.Comment:
			// Not drawn; not written.
		}
	}
	if depth != 0 || b.Len() == 0 {
		return "", errors.New("chartsvg: SVG ends early")
	}
	return b.String(), nil
}

func writeStart(b *strings.Builder, t xml.StartElement, root bool, idPrefix string) error {
	kept := map[string]string{}
	var order []string
	set := func(k, v string) {
		if _, ok := kept[k]; !ok {
			order = append(order, k)
		}
		kept[k] = v
	}
	var style string
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			// xmlns, xmlns:xlink, xlink:href, xml:space: none is needed.
			continue
		}
		switch name := a.Name.Local; {
		case name == "style":
			style = a.Value
		case renamed[name] != "":
			set(renamed[name], a.Value)
		case attributes[name]:
			set(name, a.Value)
		}
	}
	// Declarations in style win over attributes, as in CSS.
	for _, decl := range strings.Split(style, ";") {
		k, v, ok := strings.Cut(decl, ":")
		k, v = strings.TrimSpace(strings.ToLower(k)), strings.TrimSpace(v)
		if ok && fromStyle[k] && v != "" {
			set(k, v)
		}
	}
	if root {
		if _, ok := kept["viewBox"]; !ok {
			return errors.New("chartsvg: the SVG has no viewBox")
		}
		delete(kept, "width")
		delete(kept, "height")
	}
	b.WriteString("<" + t.Name.Local)
	if root {
		b.WriteString(` xmlns="` + svgNS + `"`)
	}
	for _, k := range order {
		v, ok := kept[k]
		if !ok {
			continue
		}
		switch {
		case k == "id":
			v = idPrefix + "-" + v
		case strings.Contains(strings.ToLower(v), "url("):
			m := localURL.FindStringSubmatch(v)
			if m == nil {
				return fmt.Errorf("chartsvg: %s=%q refers outside the chart", k, v)
			}
			v = "url(#" + idPrefix + "-" + m[1] + ")"
		}
		b.WriteString(" " + k + `="`)
		writeAttr(b, v)
		b.WriteString(`"`)
	}
	if root {
		b.WriteString(` aria-hidden="true" focusable="false"`)
	}
	b.WriteString(">")
	return nil
}

var attrEscaper = strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;", "\n", "&#10;", "\r", "&#13;", "\t", "&#9;")

func writeAttr(b *strings.Builder, v string) { attrEscaper.WriteString(b, v) }
