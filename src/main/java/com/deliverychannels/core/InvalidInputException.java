package com.deliverychannels.core;

import java.util.List;

/** The request names values the domain refuses; every invalid field is listed at once. */
public final class InvalidInputException extends DomainException {
    private final List<FieldError> errors;

    public InvalidInputException(List<FieldError> errors) {
        super("problem.invalid.detail", List.of(), null);
        if (errors.isEmpty()) {
            throw new IllegalArgumentException("an invalid input names at least one field");
        }
        this.errors = List.copyOf(errors);
    }

    public InvalidInputException(FieldError error) {
        this(List.of(error));
    }

    /** The fields at fault. */
    public List<FieldError> errors() {
        return errors;
    }
}
