package com.deliverychannels.core;

import java.util.List;

/** The request names values the domain refuses; every invalid field is listed at once. */
public final class InvalidInputException extends DomainException {
    private final List<FieldError> errors;
    private final boolean malformed;

    public InvalidInputException(List<FieldError> errors) {
        this(errors, false);
    }

    public InvalidInputException(FieldError error) {
        this(List.of(error), false);
    }

    private InvalidInputException(List<FieldError> errors, boolean malformed) {
        super("problem.invalid.detail", List.of(), null);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid input names at least one field");
        }
        this.errors = List.copyOf(errors);
        this.malformed = malformed;
    }

    /**
     * Input that is not merely invalid but an attempt to break the message's structure (a line break in a
     * header value: header injection); refused as a bad request rather than a validation failure.
     */
    public static InvalidInputException malformed(List<FieldError> errors) {
        return new InvalidInputException(errors, true);
    }

    /** Whether the request was malformed rather than invalid (answered 400, not 422). */
    public boolean malformed() {
        return malformed;
    }

    /** The fields at fault. */
    public List<FieldError> errors() {
        return errors;
    }
}
