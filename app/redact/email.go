package redact

import "strings"

func isLocalByte(b byte) bool  { return isAlnumByte(b) || strings.IndexByte("._%+-", b) >= 0 }
func isDomainByte(b byte) bool { return isAlnumByte(b) || b == '.' || b == '-' }

// domainLen returns the length of the longest prefix of d that is a domain ending in a dot
// and two or more letters (the letters taken in full), or 0.
func domainLen(d string) int {
	for j := len(d) - 3; j >= 1; j-- {
		if d[j] == '.' && isLetterByte(d[j+1]) && isLetterByte(d[j+2]) {
			k := j + 3
			for k < len(d) && isLetterByte(d[k]) {
				k++
			}
			return k
		}
	}
	return 0
}

// atForms are the written-out forms of "@" and "." in obfuscated addresses.
var atForms = []string{"[at]", "(at)", "{at}", "[chiocciola]", "(chiocciola)", "[@]", "(@)"}
var dotForms = []string{"[dot]", "(dot)", "{dot}", "[punto]", "(punto)", "[.]", "(.)"}

func findEmails(s string, c []cand) []cand {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '@':
			l := i
			for l > 0 && isLocalByte(s[l-1]) {
				l--
			}
			if l == i {
				continue
			}
			r := i + 1
			for r < len(s) && isDomainByte(s[r]) {
				r++
			}
			n := domainLen(s[i+1 : r])
			if n == 0 {
				continue
			}
			c = append(c, cand{l, i + 1 + n, KindEmail})
			i += n
		case '[', '(', '{':
			if st, en, ok := obfuscated(s, i); ok {
				c = append(c, cand{st, en, KindEmail})
				i = en - 1
			}
		}
	}
	return c
}

// obfuscated reads "mario.rossi [at] comune [dot] it" and the like around the at-form at i.
func obfuscated(s string, i int) (int, int, bool) {
	form := ""
	for _, f := range atForms {
		if hasPrefixFold(s, i, f) {
			form = f
			break
		}
	}
	if form == "" {
		return 0, 0, false
	}
	l := i
	if l > 0 && s[l-1] == ' ' {
		l--
	}
	e := l
	for l > 0 && isLocalByte(s[l-1]) {
		l--
	}
	if l == e {
		return 0, 0, false
	}
	j := i + len(form)
	if j < len(s) && s[j] == ' ' {
		j++
	}
	// labels separated by "." or a dot form
	labels, lastLetters, end := 0, false, 0
	for j < len(s) {
		k := j
		for k < len(s) && (isAlnumByte(s[k]) || s[k] == '-') {
			k++
		}
		if k == j {
			break
		}
		labels++
		lastLetters = k-j >= 2
		for x := j; x < k; x++ {
			if !isLetterByte(s[x]) {
				lastLetters = false
			}
		}
		if labels >= 2 && lastLetters {
			end = k
		}
		j = k
		if j < len(s) && s[j] == '.' && j+1 < len(s) && isAlnumByte(s[j+1]) {
			j++
			continue
		}
		sp := j
		if sp < len(s) && s[sp] == ' ' {
			sp++
		}
		matched := false
		for _, f := range dotForms {
			if hasPrefixFold(s, sp, f) {
				j = sp + len(f)
				if j < len(s) && s[j] == ' ' {
					j++
				}
				matched = true
				break
			}
		}
		if !matched {
			break
		}
	}
	if end == 0 {
		return 0, 0, false
	}
	return l, end, true
}
