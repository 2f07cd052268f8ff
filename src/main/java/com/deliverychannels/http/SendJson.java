package com.deliverychannels.http;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The JSON bodies of the {@code send} function (CONTRACT §3), in and out. */
public final class SendJson {
    private SendJson() {
    }

    @RegisterForReflection
    public record MessageRequest(String identityId, List<String> to, List<String> cc, List<String> bcc,
            String replyTo, String subject, String text, String html, String conversationId) {
        @Override
        public String toString() {
            return "MessageRequest[identityId=" + identityId + "]";
        }
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Delivery(String deliveryId, String status, String channel, String from, List<String> to,
            String subject, boolean viaTag, boolean bounceTracking, int attempts, Instant nextAttemptAt,
            String lastError, List<Event> events) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Event(String type, Instant at, String detail) {
    }
}
