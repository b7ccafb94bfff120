package figures

import (
	"cptrends/indicators"
	"cptrends/internal/store"
)

// Reader assembles every figure a person or program sees from the store.
type Reader struct {
	Store   *store.Store
	Catalog *indicators.Catalog
}
