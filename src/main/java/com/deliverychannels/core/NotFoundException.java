package com.deliverychannels.core;

import java.util.List;

/** The resource does not exist for this caller; another user's resource is reported the same way. */
public final class NotFoundException extends DomainException {
    public NotFoundException(String messageKey, Object... args) {
        super(messageKey, List.of(args), null);
    }
}
