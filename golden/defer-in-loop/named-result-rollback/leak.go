package leak

import "fmt"

// A DB begins transactions.
type DB interface {
	Begin() Tx
}

// A Tx is a transaction.
type Tx interface {
	Exec(stmt string) error
	Rollback()
}

// ApplyAll runs each statement in its own transaction. If one fails, every
// transaction begun so far is rolled back when ApplyAll returns: the
// deferred func reads the named result err, so it must run at function exit.
func ApplyAll(db DB, stmts []string) (err error) {
	for _, stmt := range stmts {
		tx := db.Begin()
		defer func() {
			if err != nil {
				tx.Rollback()
			}
		}()
		if err = tx.Exec(stmt); err != nil {
			return fmt.Errorf("apply %q: %w", stmt, err)
		}
	}
	return nil
}
