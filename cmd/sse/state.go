package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxStateSize bounds what sse reads of a --state file: an event ID of up
// to 1 MiB and its newline. A larger file is not one that sse wrote.
const maxStateSize = 1<<20 + 1

// stateFile keeps the last event ID of a stream in a file, for --state,
// so that a later run resumes where this one stopped.
//
// The file holds the ID and a newline. It is replaced as a whole, through
// a temporary file in the same directory and a rename, so that a run
// killed at any moment leaves either the old ID or the new one, never a
// part. The ID is saved after the event that set it has been written to
// stdout, so a run that is killed prints again at most the event it was
// printing (at least once); a run that ends on Ctrl-C or SIGTERM saves
// the last ID before it exits (exactly once). The file is not synced to
// the disk: it survives the process, not a crash of the machine.
type stateFile struct {
	path  string
	saved string // the ID in the file, if has
	has   bool
}

// loadState reads the last event ID from the file at path. A missing
// file holds no ID: it is created when the stream sets one, in a
// directory that must exist already, so that a mistyped path fails
// before the first event rather than after it.
func loadState(path string) (*stateFile, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		if fi, err := os.Stat(filepath.Dir(path)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--state %s: the directory %s does not exist", path, filepath.Dir(path))
		}
		return &stateFile{path: path}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading --state %s: %w", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStateSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading --state %s: %w", path, err)
	}
	id, ok := strings.CutSuffix(string(b), "\n")
	if !ok || len(b) > maxStateSize || strings.ContainsAny(id, "\r\n\x00") {
		return nil, fmt.Errorf("--state %s does not hold an event ID as sse writes it (the ID and a newline); give another file, or remove this one to start afresh", path)
	}
	return &stateFile{path: path, saved: id, has: true}, nil
}

// lastID returns the ID in the file, and whether there is one.
func (st *stateFile) lastID() (string, bool) {
	if st == nil {
		return "", false
	}
	return st.saved, st.has
}

// save writes id to the file, if it differs from the ID already there.
// A nil stateFile saves nothing.
func (st *stateFile) save(id string) error {
	if st == nil || (st.has && id == st.saved) || (!st.has && id == "") {
		return nil
	}
	if err := writeAtomic(st.path, id+"\n"); err != nil {
		return fmt.Errorf("saving the last event ID in --state %s: %w", st.path, err)
	}
	st.saved, st.has = id, true
	return nil
}

// writeAtomic replaces the file at path with text: it writes a temporary
// file beside it and renames that over path.
func writeAtomic(path, text string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = tmp.WriteString(text)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}
