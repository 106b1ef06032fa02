package forms_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/kepu/kepu/internal/stats/forms"
	"github.com/xuri/excelize/v2"
)

// FuzzReadXLSX feeds the import's reader arbitrary cells in the form's layout (and arbitrary
// bytes): it must return sheets or ImportErrors, never panic, and every sheet it returns must
// hold only the layout's codes with non-negative values.
func FuzzReadXLSX(f *testing.F) {
	f.Add("152502", "2024", "KR00", "12", "remark", []byte(nil))
	f.Add("", "二〇二四", "KX99", "-3", "", []byte("PK\x03\x04"))
	f.Add("museums-1", "2023", "kr02", "1,300", "=1+1", []byte(nil))
	f.Fuzz(func(t *testing.T, unit, year, code, value, remark string, raw []byte) {
		input := raw
		if len(raw) == 0 {
			var buf bytes.Buffer
			if err := forms.WriteXLSX(&buf, []forms.Sheet{{UnitKey: "152502", UnitName: "x", Year: 2024, Figures: forms.Figures{"KR00": 1}}}); err != nil {
				t.Fatal(err)
			}
			x, err := excelize.OpenReader(&buf)
			if err != nil {
				t.Fatal(err)
			}
			name := x.GetSheetList()[0]
			x.SetCellStr(name, "D2", unit)
			x.SetCellStr(name, "B3", year)
			x.SetCellStr(name, "A8", code)
			x.SetCellStr(name, "D8", value)
			x.SetCellStr(name, "E8", remark)
			var out bytes.Buffer
			x.WriteTo(&out)
			input = out.Bytes()
		}
		sheets, err := forms.ReadXLSX(bytes.NewReader(input), 1<<20)
		var ies forms.ImportErrors
		if err != nil && !errors.As(err, &ies) {
			t.Fatalf("not an ImportErrors: %v", err)
		}
		for _, s := range sheets {
			for c, v := range s.Figures {
				if _, ok := forms.FieldOf(c); !ok || v < 0 {
					t.Errorf("read %s = %d", c, v)
				}
			}
		}
	})
}
