package redact

// Segment is a stretch of text to show: plain when Removed is nil, or a removal (the original
// words or the placeholder, depending on the call).
type Segment struct {
	Text    string
	Removed *Removal
}

// Highlight splits the original text into segments, the removed parts marked with their
// removal, so a page can show what was taken out. Removals out of range or out of order (a
// Result of another text) are skipped.
func Highlight(original string, r Result) []Segment {
	return segments(original, r, false)
}

// HighlightRedacted splits the redacted text into segments, each placeholder marked with its
// removal.
func HighlightRedacted(original string, r Result) []Segment {
	return segments(original, r, true)
}

func segments(original string, r Result, redacted bool) []Segment {
	var out []Segment
	prev := 0
	for i := range r.Removals {
		rm := &r.Removals[i]
		if rm.Start < prev || rm.End > len(original) || rm.End < rm.Start {
			continue
		}
		if rm.Start > prev {
			out = append(out, Segment{Text: original[prev:rm.Start]})
		}
		t := original[rm.Start:rm.End]
		if redacted {
			t = rm.Replacement
		}
		out = append(out, Segment{Text: t, Removed: rm})
		prev = rm.End
	}
	if prev < len(original) {
		out = append(out, Segment{Text: original[prev:]})
	}
	return out
}
