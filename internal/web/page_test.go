package web

import (
	"net/http/httptest"
	"testing"
)

func TestAbsURL(t *testing.T) {
	r := httptest.NewRequest("GET", "http://10.0.0.5:8080/x", nil)
	k := &Kit{}
	if got := k.AbsURL(r, "/s/ABC"); got != "http://10.0.0.5:8080/s/ABC" {
		t.Errorf("without BaseURL: %s", got)
	}
	k.BaseURL = "https://kepu.example.cn/"
	if got := k.AbsURL(r, "/s/ABC"); got != "https://kepu.example.cn/s/ABC" {
		t.Errorf("with BaseURL: %s", got)
	}
}
