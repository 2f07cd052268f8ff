package com.deliverychannels.core;

import java.util.List;

/**
 * A dependency (the table, a key ring, a remote server) cannot serve the request now; trying again later
 * may help. The cause is kept for the log, never shown to the caller.
 */
public final class UnavailableException extends DomainException {
    public UnavailableException(String messageKey, Throwable cause) {
        super(messageKey, List.of(), cause);
    }
}
