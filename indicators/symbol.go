package indicators

// Symbol is a published mark that stands in place of a value. A symbol is
// never a zero: it is kept, shown and explained, and never drawn or counted.
type Symbol string

// The suppression and status symbols used in the department's releases,
// with what each means.
var symbols = map[Symbol]string{
	"c":   "confidential: suppressed to protect individuals",
	"x":   "not available (for example, no return was made)",
	"z":   "not applicable",
	"low": "a number that rounds to zero but is not zero",
	"k":   "a number that rounds to zero but is not zero",
	"u":   "low reliability: the figure is not shown",
	"..":  "not available",
	":":   "not available",
	"~":   "a number that rounds to zero but is not zero",
}

// symbolOrder lists the symbols in the order the key explains them.
var symbolOrder = []Symbol{"c", "x", "z", "u", "low", "k", "..", ":", "~"}

// ParseSymbol reports whether s is a known symbol.
func ParseSymbol(s string) (Symbol, bool) {
	_, ok := symbols[Symbol(s)]
	return Symbol(s), ok
}

// Meaning explains the symbol in plain English.
func (s Symbol) Meaning() string { return symbols[s] }

// Symbols lists every known symbol, in the order a key shows them.
func Symbols() []Symbol { return append([]Symbol(nil), symbolOrder...) }
