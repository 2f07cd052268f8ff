package com.deliverychannels.delivery;

/** What one attempt to hand a message to a server came to. */
public sealed interface SendOutcome {

    /**
     * The server accepted the message.
     *
     * @param messageId    the {@code Message-ID} it carried
     * @param sesMessageId SES's id from the relay's reply, when the client exposes it; else null
     */
    record Sent(String messageId, String sesMessageId) implements SendOutcome {
    }

    /**
     * The attempt failed.
     *
     * @param diagnostic the server's reply or what went wrong, for the user; never a credential
     */
    record Failed(FailureKind kind, String diagnostic) implements SendOutcome {
    }
}
