package com.deliverychannels.delivery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A message as a user asks for it; every field unchecked.
 *
 * @param identityId null for the default identity
 */
public record SendRequest(String identityId, List<String> to, List<String> cc, List<String> bcc, String replyTo,
        String subject, String text, String html, String conversationId) {

    public SendRequest {
        to = to == null ? null : copy(to);
        cc = cc == null ? List.of() : copy(cc);
        bcc = bcc == null ? List.of() : copy(bcc);
    }

    /** An unmodifiable copy that keeps null elements: {@code ["bob@x.org", null]} is an invalid address, not a crash. */
    private static List<String> copy(List<String> values) {
        return Collections.unmodifiableList(new ArrayList<>(values));
    }

    @Override
    public String toString() {
        return "SendRequest[identity=" + identityId + ", recipients=" + (to == null ? 0 : to.size())
                + "+" + cc.size() + "+" + bcc.size() + "]";
    }
}
