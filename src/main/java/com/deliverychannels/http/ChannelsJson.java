package com.deliverychannels.http;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** The JSON bodies of the {@code channels} function (CONTRACT §3), in and out. */
public final class ChannelsJson {
    private ChannelsJson() {
    }

    // ---- requests ----

    @RegisterForReflection
    public record ActiveChannelRequest(String active) {
    }

    @RegisterForReflection
    public record SmtpSettingsRequest(String host, Integer port, String security, String username, String password,
            String authMethod) {
        @Override
        public String toString() {
            return "SmtpSettingsRequest[host=" + host + ", port=" + port + ", username=" + username + "]";
        }
    }

    @RegisterForReflection
    public record IdentityRequest(String name, String address, @JsonProperty("default") Boolean isDefault) {
    }

    @RegisterForReflection
    public record GmailConnectRequest(String code, String redirectUri) {
        @Override
        public String toString() {
            return "GmailConnectRequest[redirectUri=" + redirectUri + "]";
        }
    }

    // ---- answers ----

    @RegisterForReflection
    public record ChannelOption(String type, String name, String description, @JsonProperty("default") boolean isDefault,
            String from, boolean viaTag, boolean sentFolderCopy, boolean bounceTracking, boolean sendFailureTracking,
            boolean allowListable) {
    }

    @RegisterForReflection
    public record ChannelOptions(List<ChannelOption> channels) {
    }

    @RegisterForReflection
    public record ChannelView(String active, Gmail gmail, Smtp smtp, Preview preview) {
    }

    @RegisterForReflection
    public record Gmail(String address, String status, Instant connectedAt) {
    }

    @RegisterForReflection
    public record Smtp(String host, int port, String security, String username, String authMethod, String status,
            Instant updatedAt) {
    }

    @RegisterForReflection
    public record Preview(String identityAddress, String from, boolean viaTag, boolean bounceTracking,
            boolean sentFolderCopy, List<String> notes) {
    }

    @RegisterForReflection
    public record SmtpVerification(boolean ok, String stage, String detail) {
    }

    @RegisterForReflection
    public record Identity(String id, String name, String address, @JsonProperty("default") boolean isDefault) {
    }

    @RegisterForReflection
    public record Identities(List<Identity> items) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record FailedDelivery(String id, String deliveryId, String recipient, String subject, String channel,
            String reason, String bounceType, String bounceSubType, String diagnostic, Instant occurredAt,
            Retry retry) {
    }

    @RegisterForReflection
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retry(String state, int attempts, Instant nextAttemptAt) {
    }

    @RegisterForReflection
    public record FailedDeliveries(List<FailedDelivery> items, String nextCursor) {
    }
}
