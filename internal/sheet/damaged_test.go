package sheet

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"os"
	"testing"
	"time"
)

// Damaged .xlsx files (bytes flipped, 16- and 32-bit boundary values written into the zip
// structures) are reported or read, never hang the reader. This stands beside FuzzReadXLSX,
// whose engine makes little progress through excelize here.
func TestDamagedXLSXTerminates(t *testing.T) {
	data := makeXLSX(t, false, [][]any{{"甲", "150105", "自治区级", 1, 2, 41445, "是"}})
	r := rand.New(rand.NewPCG(3, 4))
	vals := []uint32{0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, 0x10000}
	for i := 0; i < 1500; i++ {
		d := append([]byte(nil), data...)
		p := 4 + r.IntN(len(d)-8)
		v := vals[r.IntN(len(vals))]
		switch r.IntN(3) {
		case 0:
			binary.LittleEndian.PutUint32(d[p:], v)
		case 1:
			binary.LittleEndian.PutUint16(d[p:], uint16(v))
		case 2:
			d[p] = byte(v)
		}
		done := make(chan bool)
		go func() { Read(bytes.NewReader(d), museums, 1<<20, func(*Record) error { return nil }); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			os.WriteFile("/tmp/hang.xlsx", d, 0o644)
			t.Fatalf("iteration %d (offset %d value %x) hangs; saved /tmp/hang.xlsx", i, p, v)
		}
	}
}
