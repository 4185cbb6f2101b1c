package models

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// NoteSearchResult is a note found by SearchNotes, with the name of what
// it is about.
type NoteSearchResult struct {
	Note
	// SubjectName is the contact's name, or the company's for a company
	// note.
	SubjectName string `json:"subject_name"`
}

// NoteSearchPage is one page of search results, newest first.
type NoteSearchPage struct {
	Results    []NoteSearchResult `json:"results"`
	NextCursor string             `json:"next_cursor,omitempty"`
}

// SearchNotes finds the notes and replies the actor may see whose text
// contains every word of q (folded as contacts are: case and accents
// ignored), newest first. At least one word must have three characters,
// which the trigram index answers; shorter words then filter what it
// found.
func (db *DB) SearchNotes(ctx context.Context, actor Actor, q, cursor string, limit int) (*NoteSearchPage, error) {
	var long, short []string
	for _, t := range strings.Fields(searchKey(q)) {
		t = truncateRunes(t, 100)
		switch {
		case slices.Contains(long, t) || slices.Contains(short, t):
		case len([]rune(t)) >= minTrigramTerm:
			long = append(long, t)
		default:
			short = append(short, t)
		}
		if len(long)+len(short) == maxSearchTerms {
			break
		}
	}
	if len(long) == 0 {
		return nil, &ValidationError{Fields: map[string]string{"q": "Type a word of at least three letters to search notes."}}
	}
	cond, args := db.dialect.noteSearch(long)
	query := db.with(ctx).Model(&Note{}).Scopes(visibleNotes(actor)).Where(cond, args...)
	for _, t := range short {
		c, a := likeContains("notes.search_text", t)
		query = query.Where(c, a)
	}
	page, err := db.notePage(ctx, query, "note_search", cursor, limit)
	if err != nil {
		return nil, err
	}
	var contactIDs, companyIDs []int64
	for _, n := range page.Notes {
		if n.ContactID != nil {
			contactIDs = append(contactIDs, *n.ContactID)
		} else if n.CompanyID != nil {
			companyIDs = append(companyIDs, *n.CompanyID)
		}
	}
	contacts, companies, err := db.subjectNames(ctx, contactIDs, companyIDs)
	if err != nil {
		return nil, fmt.Errorf("models: search notes: %w", err)
	}
	out := &NoteSearchPage{Results: make([]NoteSearchResult, len(page.Notes)), NextCursor: page.NextCursor}
	for i, n := range page.Notes {
		out.Results[i].Note = n
		if n.ContactID != nil {
			out.Results[i].SubjectName = contacts[*n.ContactID]
		} else if n.CompanyID != nil {
			out.Results[i].SubjectName = companies[*n.CompanyID]
		}
	}
	return out, nil
}
