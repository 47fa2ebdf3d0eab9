package leak

import (
	"slices"
	"testing"
)

func TestRunJobsBehaviour(t *testing.T) {
	tests := []struct {
		jobs        string // one letter per job: o runs fine, p panics with its index
		want        int
		wantRun     []int
		wantPanics  []any
		description string
	}{
		{"", 0, nil, nil, "no jobs"},
		{"oo", 2, []int{0, 1}, nil, "no panic"},
		{"opo", 0, []int{0, 1}, []any{1}, "a panic stops the rest"},
		{"p", 0, []int{0}, []any{0}, "a single panic"},
	}
	for _, tt := range tests {
		var run []int
		var jobs []func()
		for i, kind := range tt.jobs {
			jobs = append(jobs, func() {
				run = append(run, i)
				if kind == 'p' {
					panic(i)
				}
			})
		}
		var panics []any
		got := RunJobs(jobs, &panics)
		if got != tt.want || !slices.Equal(run, tt.wantRun) || !slices.Equal(panics, tt.wantPanics) {
			t.Errorf("%s: RunJobs(%s) = %d, ran %v, panics %v; want %d, ran %v, panics %v", tt.description, tt.jobs, got, run, panics, tt.want, tt.wantRun, tt.wantPanics)
		}
	}
}
