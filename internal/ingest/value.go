package ingest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"cptrends/indicators"
)

// A number: digits with optional thousands separators in groups of three,
// and optional decimals. No signs, exponents, NaN or infinities.
var numberPattern = regexp.MustCompile(`^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$`)

// maxCount is the largest whole number a float64 holds exactly.
const maxCount = 1<<53 - 1

// ParseValue reads a published value for def: a number (635600, 635,600,
// 17.3) or a suppression symbol. Exactly one of the results is set.
func ParseValue(def *indicators.Definition, s string) (*float64, indicators.Symbol, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, "", fmt.Errorf("the value is empty; expected a number or a suppression symbol (%s)", symbolList())
	}
	if sym, ok := indicators.ParseSymbol(s); ok {
		return nil, sym, nil
	}
	num := s
	if def.IsPercent() {
		num = strings.TrimSpace(strings.TrimSuffix(num, "%"))
	}
	if strings.HasPrefix(num, "-") && numberPattern.MatchString(num[1:]) {
		return nil, "", fmt.Errorf("the value %s is negative; %s cannot be below zero", quote(s), unitName(def))
	}
	if !numberPattern.MatchString(num) {
		return nil, "", fmt.Errorf("the value %s is not a number or a suppression symbol; expected a number such as 635600 or 635,600, or one of %s", quote(s), symbolList())
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return nil, "", fmt.Errorf("the value %s is too large", quote(s))
	}
	switch {
	case def.IsPercent() && v > 100:
		return nil, "", fmt.Errorf("the value %s is over 100; a percentage must be between 0 and 100", quote(s))
	case !def.IsPercent() && v != math.Trunc(v):
		return nil, "", fmt.Errorf("the value %s is not a whole number; %s is a count", quote(s), def.ID)
	case !def.IsPercent() && v > maxCount:
		return nil, "", fmt.Errorf("the value %s is too large for a count", quote(s))
	}
	return &v, "", nil
}

func unitName(def *indicators.Definition) string {
	if def.IsPercent() {
		return "a percentage"
	}
	return "a count"
}

func symbolList() string {
	var out []string
	for _, s := range indicators.Symbols() {
		out = append(out, string(s))
	}
	return strings.Join(out, ", ")
}
