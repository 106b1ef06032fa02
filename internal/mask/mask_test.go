package mask

import "testing"

func TestPhone(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "138****5678", "+8613812345678": "+86****5678", "12345": "***45", "7": "*", "": ""} {
		if got := Phone(in); got != want {
			t.Errorf("Phone(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIDNumber(t *testing.T) {
	for in, want := range map[string]string{"15010219900101123X": "150102********123X", "150102900101123": "150102*****1123", "1234": "**34", "": ""} {
		if got := IDNumber(in); got != want {
			t.Errorf("IDNumber(%q) = %q, want %q", in, got, want)
		}
	}
}
