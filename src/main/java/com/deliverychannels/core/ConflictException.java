package com.deliverychannels.core;

import java.util.List;

/** The request is well formed but the current state does not allow it. */
public final class ConflictException extends DomainException {
    public ConflictException(String messageKey, Object... args) {
        super(messageKey, List.of(args), null);
    }
}
