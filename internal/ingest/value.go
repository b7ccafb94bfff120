package ingest

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"cptrends/indicators"
)

// isNumber reports whether s is a number as published: digits with
// optional thousands separators in groups of three, and optional decimals.
// No signs, exponents, NaN or infinities. It is the regular expression
// ^(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?$ written out, since it
// runs once for every value of a file.
func isNumber(s string) bool {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	if i < len(s) && s[i] == ',' {
		if i > 3 {
			return false
		}
		for i < len(s) && s[i] == ',' {
			if len(s)-i < 4 || !digits(s[i+1:i+4]) {
				return false
			}
			i += 4
		}
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			return false
		}
	}
	if i == len(s) {
		return true
	}
	if s[i] != '.' || i+1 == len(s) {
		return false
	}
	return digits(s[i+1:])
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

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
	if strings.HasPrefix(num, "-") && isNumber(num[1:]) {
		return nil, "", fmt.Errorf("the value %s is negative; %s cannot be below zero", quote(s), unitName(def))
	}
	if !isNumber(num) {
		return nil, "", fmt.Errorf("the value %s is not a number or a suppression symbol; expected a number such as 635600 or 635,600, or one of %s", quote(s), symbolList())
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(num, ",", ""), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		return nil, "", fmt.Errorf("the value %s is too large", quote(s))
	}
	switch {
	case def.IsPercent() && v > 100:
		return nil, "", fmt.Errorf("the value %s is over 100; a percentage must be between 0 and 100", quote(s))
	case def.Unit == indicators.UnitCount && v != math.Trunc(v):
		return nil, "", fmt.Errorf("the value %s is not a whole number; %s is a count", quote(s), def.ID)
	case def.Unit == indicators.UnitCount && v > maxCount:
		return nil, "", fmt.Errorf("the value %s is too large for a count", quote(s))
	}
	return &v, "", nil
}

func unitName(def *indicators.Definition) string {
	switch {
	case def.IsPercent():
		return "a percentage"
	case def.IsRate():
		return "a rate"
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
