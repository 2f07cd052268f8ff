package com.deliverychannels.delivery;

import java.util.List;

/**
 * A message as a user asks for it; every field unchecked.
 *
 * @param identityId null for the default identity
 */
public record SendRequest(String identityId, List<String> to, List<String> cc, List<String> bcc, String replyTo,
        String subject, String text, String html, String conversationId) {

    public SendRequest {
        to = to == null ? null : List.copyOf(to);
        cc = cc == null ? List.of() : List.copyOf(cc);
        bcc = bcc == null ? List.of() : List.copyOf(bcc);
    }

    @Override
    public String toString() {
        return "SendRequest[identity=" + identityId + ", recipients=" + (to == null ? 0 : to.size())
                + "+" + cc.size() + "+" + bcc.size() + "]";
    }
}
