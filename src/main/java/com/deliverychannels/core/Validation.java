package com.deliverychannels.core;

import java.util.ArrayList;
import java.util.List;

/** Collects every field error of a request, then refuses it at once if there was any. */
public final class Validation {
    private final List<FieldError> errors = new ArrayList<>();

    /** Records an error when {@code failed} holds. Answers whether the value passed. */
    public boolean check(boolean passed, String field, String messageKey, Object... args) {
        if (!passed) {
            errors.add(FieldError.of(field, messageKey, args));
        }
        return passed;
    }

    /** Records an error that a caller found on its own. */
    public void add(FieldError error) {
        errors.add(error);
    }

    /** A required text: present and not blank. Answers whether it passed. */
    public boolean required(String value, String field) {
        return check(value != null && !value.isBlank(), field, "field.required");
    }

    /** A required text with a length limit and no line breaks (it may end up in a header). */
    public boolean singleLine(String value, String field, int maxLength) {
        if (!required(value, field)) {
            return false;
        }
        return check(value.length() <= maxLength, field, "field.too-long", maxLength)
                && check(value.indexOf('\r') < 0 && value.indexOf('\n') < 0, field, "field.line-break");
    }

    /** Throws the collected errors, if any. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new InvalidInputException(errors);
        }
    }
}
