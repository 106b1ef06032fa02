package survey

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/kepu/kepu/internal/sheet"
)

// FuzzParseResponses feeds the response importer arbitrary files: it never panics, and either
// refuses the file (sheet.Errors, nothing returned) or returns responses that are all valid
// (positive weight, known classes, answers inside each item's options, score agreeing with the
// scheme).
func FuzzParseResponses(f *testing.F) {
	f.Add([]byte(sheetText("152502,s1,p1,120.5,,,城镇,女,30-39" + allRight)))
	f.Add([]byte(sheetText("152502,s1,p1,,0.5,0.02,乡村,男,60-69,对,,,,,,,,,,,,,,,,,,")))
	f.Add([]byte(sheetText("152502,s1,p1,-1,,,城镇,女,30-39,X,AB,ZZ")))
	f.Add([]byte("\ufeff区划代码,层\n1,2\n"))
	f.Add([]byte("PK\x03\x04garbage"))
	sv := Survey{ID: 1, RegionCode: "150000", Scheme: National2024}
	items := SampleBank()
	sc := NationalScheme2024()
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := parseRows(bytes.NewReader(data), sv, items, nil)
		if err != nil {
			var se sheet.Errors
			if !errors.As(err, &se) && rs != nil {
				t.Fatalf("an error with responses: %v", err)
			}
			if rs != nil {
				t.Fatal("refused file returned responses")
			}
			return
		}
		for _, r := range rs {
			if !(r.Weight > 0) || (r.Sex != "male" && r.Sex != "female") || !contains(AgeGroups, r.AgeGroup) || r.Stratum == "" || r.PSU == "" {
				t.Fatalf("invalid respondent accepted: %+v", r.Respondent)
			}
			for i, a := range r.Answers {
				for _, c := range a {
					if c < 0 || c >= items[i].Choices() {
						t.Fatalf("answer %v outside item %d's options", a, i+1)
					}
				}
			}
			s, err := sc.Score(items, r.Answers)
			if err != nil || s.Total != r.Total || s.Unanswered != r.Unanswered {
				t.Fatalf("score %+v, stored %+v, %v", s, r.Score, err)
			}
		}
	})
}

func sheetText(rows ...string) string {
	b, _ := io.ReadAll(sheetOf(rows...))
	return string(b)
}
