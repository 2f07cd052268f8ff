package com.deliverychannels.bounce;

/**
 * An SES notification that cannot be read: not JSON, no type, or a field its kind depends on missing or
 * of the wrong shape. The message names the field and never carries the payload, which holds recipients'
 * addresses and SMTP replies that must stay out of logs.
 */
public final class MalformedSesNotificationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public MalformedSesNotificationException(String message) {
        super(message);
    }
}
