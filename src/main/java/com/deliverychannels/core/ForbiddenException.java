package com.deliverychannels.core;

import java.util.List;

/** The caller may not do this: a message from a topic we do not accept, a signature that does not verify. */
public final class ForbiddenException extends DomainException {
    public ForbiddenException(String messageKey, Object... args) {
        super(messageKey, List.of(args), null);
    }
}
