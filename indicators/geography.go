package indicators

// Geography levels, as Explore Education Statistics names them in lower case.
const (
	LevelNational = "national"
	LevelRegional = "regional"
	LevelLocal    = "local authority"
	EnglandCode   = "E92000001"
	EnglandName   = "England"
	// MaxNameLength and MaxNoteLength bound the text fields of an upload.
	MaxNameLength = 200
	MaxNoteLength = 2000
)

// Geography is an area that values are published for.
type Geography struct {
	Code  string `json:"code"`
	Name  string `json:"name"`
	Level string `json:"level"`
}

// England is the default geography of every value.
var England = Geography{Code: EnglandCode, Name: EnglandName, Level: LevelNational}

// ValidCode reports whether code has the shape of an ONS geography code:
// one capital letter and eight digits. It runs for every row of an upload,
// so it reads the bytes rather than run a regular expression.
func ValidCode(code string) bool {
	if len(code) != 9 || code[0] < 'A' || code[0] > 'Z' {
		return false
	}
	for i := 1; i < 9; i++ {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// LevelOf infers a geography's level from its ONS code.
func LevelOf(code string) string {
	if len(code) < 3 {
		return LevelLocal
	}
	switch code[1:3] {
	case "92":
		return LevelNational
	case "12":
		return LevelRegional
	}
	return LevelLocal
}
