package com.deliverychannels.core;

import java.util.List;

/**
 * The one error vocabulary of the domain. Each kind says what went wrong in terms a caller can act on;
 * {@code http} alone decides the status code and the localized text. The message key names a text in
 * {@code i18n/messages*.properties}; the arguments fill it. No argument may carry a secret.
 */
public abstract sealed class DomainException extends RuntimeException
        permits NotFoundException, ConflictException, InvalidInputException, UnavailableException, ForbiddenException,
        MisconfiguredException {

    private final String messageKey;
    private final List<Object> args;

    protected DomainException(String messageKey, List<Object> args, Throwable cause) {
        super(messageKey, cause, false, cause != null);
        this.messageKey = messageKey;
        this.args = List.copyOf(args);
    }

    /** The key of the text that explains this error to a person. */
    public String messageKey() {
        return messageKey;
    }

    /** Values for the text's placeholders, in order. */
    public List<Object> args() {
        return args;
    }
}
