package dev.hybrid.store;

import dev.hybrid.HybridException;

/**
 * An experiment store cannot be read or written: the database is missing, corrupt, locked by a running experiment,
 * or written by a newer version. The message names the database file.
 */
public class StoreException extends HybridException {
    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
