package com.deliverychannels.core;

import java.util.List;

/**
 * The deployment refuses the call, and retrying cannot help until an operator changes it: a permission the
 * function's role lacks ({@code AccessDeniedException}), a table, index or secret that does not exist, a
 * request the service calls invalid, credentials that are missing, expired or not recognised. Unlike
 * {@link UnavailableException} this is never "try again later": the invocation fails loudly (a Lambda error
 * for events, so the errors alarm fires and the event reaches the dead-letter queue; a 500 for HTTP), and the
 * log says which call, on which resource, failed how.
 */
public final class MisconfiguredException extends DomainException {
    private final String service;
    private final String errorCode;

    /**
     * @param service   the AWS service that refused, e.g. {@code dynamodb}
     * @param errorCode the service's error code, e.g. {@code AccessDeniedException}
     * @param cause     the SDK's exception, kept for the log; its message names no secret
     */
    public MisconfiguredException(String service, String errorCode, Throwable cause) {
        super("problem.internal.detail", List.of(), cause);
        this.service = service;
        this.errorCode = errorCode;
    }

    public String service() {
        return service;
    }

    public String errorCode() {
        return errorCode;
    }

    /** One line for the log: the service, its error code and what it said (for AccessDenied: the action and resource). */
    public String describe() {
        return service + " refused the call: " + errorCode
                + (getCause() == null ? "" : " (" + getCause().getMessage() + ")");
    }
}
