package leak

import (
	"errors"
	"slices"
	"testing"
)

// db is a fake DB: a statement "BAD" fails; it records what happened.
type db struct {
	begun      []string
	rolledBack []string
}

func (d *db) Begin() Tx { return &tx{d: d} }

type tx struct {
	d    *db
	stmt string
}

func (t *tx) Exec(stmt string) error {
	t.stmt = stmt
	t.d.begun = append(t.d.begun, stmt)
	if stmt == "BAD" {
		return errors.New("bad statement")
	}
	return nil
}

func (t *tx) Rollback() { t.d.rolledBack = append(t.d.rolledBack, t.stmt) }

func TestApplyAllBehaviour(t *testing.T) {
	tests := []struct {
		stmts          []string
		wantErr        string
		wantBegun      []string
		wantRolledBack []string
	}{
		{nil, "", nil, nil},
		{[]string{"a", "b"}, "", []string{"a", "b"}, nil},
		{[]string{"a", "BAD", "c"}, `apply "BAD": bad statement`, []string{"a", "BAD"}, []string{"BAD", "a"}},
		{[]string{"BAD"}, `apply "BAD": bad statement`, []string{"BAD"}, []string{"BAD"}},
	}
	for _, tt := range tests {
		d := &db{}
		err := ApplyAll(d, tt.stmts)
		gotErr := ""
		if err != nil {
			gotErr = err.Error()
		}
		if gotErr != tt.wantErr || !slices.Equal(d.begun, tt.wantBegun) || !slices.Equal(d.rolledBack, tt.wantRolledBack) {
			t.Errorf("ApplyAll(%q) = %q, ran %q, rolled back %q; want %q, ran %q, rolled back %q", tt.stmts, gotErr, d.begun, d.rolledBack, tt.wantErr, tt.wantBegun, tt.wantRolledBack)
		}
	}
}
