//go:build browser

package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/survey"
)

// mnBox is what the browser reports of the questionnaire's Mongolian text.
type mnBox struct {
	FontLoaded  bool    `json:"fontLoaded"`
	ItemW       float64 `json:"itemW"` // the first item's Mongolian text box
	ItemH       float64 `json:"itemH"`
	OptionW     float64 `json:"optionW"` // an option's Mongolian text box (inline-block)
	OptionH     float64 `json:"optionH"`
	ScrollWidth int     `json:"scrollWidth"`
	InnerWidth  int     `json:"innerWidth"`
}

// On a 360 px phone the questionnaire of an invitation draws the items' and options'
// Mongolian text top to bottom in Kepu's served font and fits the screen's width; a respondent
// answers by tapping and submits with no JavaScript. A screenshot goes to KEPU_SCREENSHOTS.
func TestBrowserSurveyQuestionnaire(t *testing.T) {
	d := dbtest.SQLite(t)
	ts := newTestSite(t, d)
	ctx := context.Background()
	st := &survey.Store{DB: d, Regions: &region.Store{DB: d}}
	scope := region.NewScope("152500")
	id, err := st.Create(ctx, scope, 0, survey.Input{RegionCode: "152500", Title: "锡林郭勒盟科学素质调查", TitleMn: mnText, Year: 2026, Scheme: survey.National2024, Sample: true})
	if err != nil {
		t.Fatal(err)
	}
	code, err := st.Invite(ctx, scope, id, survey.Respondent{RegionCode: "152502", Stratum: "152500", PSU: "152502", Weight: 200, Urban: true, Sex: "female", AgeGroup: "30-39"})
	if err != nil {
		t.Fatal(err)
	}
	bctx := browser(t)
	if err := chromedp.Do(bctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(ts.srv.URL+"/q/"+code), chromedp.WaitVisible(`#q1 .mn`)); err != nil {
		t.Fatal(err)
	}
	b, err := chromedp.Run(bctx, chromedp.Evaluate[mnBox](`(async () => {
		await document.fonts.ready;
		const item = document.querySelector('#q1 p.mn');
		const opt = document.querySelector('#q10 label span.mn');
		await document.fonts.load('16px "Noto Sans Mongolian"', item.textContent);
		const box = (el) => el.getBoundingClientRect();
		return {fontLoaded: document.fonts.check('16px "Noto Sans Mongolian"', item.textContent),
			itemW: box(item).width, itemH: box(item).height, optionW: box(opt).width, optionH: box(opt).height,
			scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth};
	})()`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", b)
	if !b.FontLoaded {
		t.Error("Noto Sans Mongolian did not load")
	}
	if b.ItemH <= b.ItemW || b.OptionH <= b.OptionW {
		t.Errorf("Mongolian text not vertical: item %.0f × %.0f, option %.0f × %.0f", b.ItemW, b.ItemH, b.OptionW, b.OptionH)
	}
	if b.ScrollWidth > b.InnerWidth {
		t.Errorf("questionnaire is %d px wide on a %d px screen", b.ScrollWidth, b.InnerWidth)
	}
	dir := os.Getenv("KEPU_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	png, err := chromedp.Run(bctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "survey-questionnaire.png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
	// Answer two items by tapping, confirm the blanks, submit.
	err = chromedp.Do(bctx, chromedp.Click(`#q1 input[value="0"]`), chromedp.Click(`#q10 input[value="2"]`),
		chromedp.Submit(`form[action^="/q/"]`), chromedp.WaitVisible(`input[name="confirm_blank"]`),
		chromedp.Click(`input[name="confirm_blank"]`), chromedp.Submit(`form[action^="/q/"]`), chromedp.WaitVisible(`p.notice`))
	if err != nil {
		t.Fatalf("answering: %v", err)
	}
	rs, _ := st.Responses(ctx, scope, id)
	if len(rs) != 1 || rs[0].Unanswered != len(survey.SampleBank())-2 {
		t.Errorf("response: %+v", rs)
	}
}
