package io.tether.sync.jpa;

import jakarta.persistence.Entity;
import jakarta.persistence.EntityListeners;
import jakarta.persistence.Id;

/** Opts in with the JPA entity-listener style instead of {@link Synced}. */
@Entity
@EntityListeners({SyncEntityListener.class, NoteHook.class})
public class Note {
    @Id
    String id;
    String text;

    public Note() {
    }

    public Note(String id, String text) {
        this.id = id;
        this.text = text;
    }
}
