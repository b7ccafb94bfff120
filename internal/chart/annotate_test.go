package chart

import "testing"

// TestChooseLabels: where a size cannot hold every label, the latest
// year, the largest rise and the largest fall are kept, and no two kept
// labels are closer than their widths at the same height.
func TestChooseLabels(t *testing.T) {
	var spots []spot
	for i := range 20 {
		spots = append(spots, spot{series: 0, index: i, text: "+1.0%", rank: 1, y: 100})
	}
	spots[7].rank, spots[7].text = 12.5, "+12.5%" // largest rise
	spots[8].rank, spots[8].text = -9.1, "-9.1%"  // largest fall, next to it
	spots[19].keep = true                         // latest
	narrow := chooseLabels(spots, 20, 1, narrowGeometry)
	for _, i := range []int{19, 7} {
		if !narrow[[2]int{0, i}] {
			t.Errorf("narrow: label %d left off", i)
		}
	}
	cat := narrowGeometry.plotWidth(1) / 20
	var shown []int
	for i := range 20 {
		if narrow[[2]int{0, i}] {
			shown = append(shown, i)
		}
	}
	for k := 1; k < len(shown); k++ {
		if gap := float64(shown[k]-shown[k-1]) * cat; gap < labelWidth("+12.5%")/2+labelWidth("+1.0%")/2 {
			t.Errorf("labels %d and %d are %.0f px apart", shown[k-1], shown[k], gap)
		}
	}
	if len(shown) >= 20 || len(shown) < 4 {
		t.Errorf("narrow shows %d of 20 labels", len(shown))
	}
	// The fall beside the rise, at another height, fits too.
	spots[8].y = 40
	if !chooseLabels(spots, 20, 1, narrowGeometry)[[2]int{0, 8}] {
		t.Error("the largest fall, well below the rise, was left off")
	}
	// Where there is room, every year's change is shown.
	if wide := chooseLabels(spots[:12], 12, 1, wideGeometry); len(wide) != 12 {
		t.Errorf("wide shows %d of 12 labels", len(wide))
	}
}
