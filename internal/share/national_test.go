package share

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kepu/kepu/internal/db"
	"github.com/kepu/kepu/internal/db/dbtest"
	"github.com/kepu/kepu/internal/region"
	"github.com/kepu/kepu/internal/sheet"
)

// National figures import all or nothing, within scope, and show beside (not in) Kepu's own.
func TestImportNational(t *testing.T) {
	dbtest.Run(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, 1)
		banner := region.NewScope("152502")
		bad := "\ufeff区划代码,月份,信息员数,分享数,点击数\n152502001,2026-06,50,100,300\n152501,2026-06,1,1,1\n152502001,2026-6,1,1,1\n152502001,2026-06,1,1,1\n152502,2026-06,多,1,1\n"
		_, err := f.store.ImportNational(ctx, banner, 0, strings.NewReader(bad))
		var es sheet.Errors
		if !errors.As(err, &es) || len(es) != 4 {
			t.Fatalf("bad file: %v", err)
		}
		for _, want := range []string{"不在您的管辖范围内", "月份应写成", "与第 2 行重复", "信息员数"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("errors lack %q: %v", want, err)
			}
		}
		var n int
		d.QueryRowContext(ctx, `SELECT count(*) FROM share_national`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d rows written from a bad file", n)
		}
		good := "区划代码,月份,信息员数,分享数,点击数\n152502001,2026-06,50,100,300\n152502,2026-06,900,2000,6000\n"
		if got, err := f.store.ImportNational(ctx, banner, 0, strings.NewReader(good)); err != nil || got != 2 {
			t.Fatalf("good file: %d %v", got, err)
		}
		total, rows, err := f.store.RegionFigures(ctx, "152502", "2026-06")
		if err != nil {
			t.Fatal(err)
		}
		if total.National == nil || total.National.Clicks != 6000 || total.Clicks != 0 {
			t.Errorf("banner total: national %+v, own clicks %d", total.National, total.Clicks)
		}
		for _, r := range rows {
			if r.Code == "152502001" && (r.National == nil || r.National.Shares != 100) {
				t.Errorf("township national figures %+v", r.National)
			}
		}
	})
}

func FuzzImportNational(f *testing.F) {
	d := dbtest.SQLite(f)
	s := &Store{DB: d, Regions: &region.Store{DB: d}}
	f.Add("区划代码,月份,信息员数,分享数,点击数\n152502001,2026-06,50,100,300\n")
	f.Add("区划代码,月份\n,\n")
	f.Add("\xff\xfe,,\n")
	f.Fuzz(func(t *testing.T, file string) {
		n, err := s.ImportNational(context.Background(), region.NewScope("152502"), 0, strings.NewReader(file))
		if err != nil && n != 0 {
			t.Fatalf("error %v with %d rows stored", err, n)
		}
	})
}
