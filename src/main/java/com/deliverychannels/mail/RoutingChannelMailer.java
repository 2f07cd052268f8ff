package com.deliverychannels.mail;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.GmailConnection;
import com.deliverychannels.channel.GmailStatus;
import com.deliverychannels.channel.GmailTokenException;
import com.deliverychannels.channel.GmailTokens;
import com.deliverychannels.channel.SmtpHostPolicy;
import com.deliverychannels.channel.SmtpSettings;
import com.deliverychannels.config.GmailConfig;
import com.deliverychannels.core.UnavailableException;
import com.deliverychannels.crypto.CredentialSealer;
import com.deliverychannels.delivery.ChannelMailer;
import com.deliverychannels.delivery.FailureKind;
import com.deliverychannels.delivery.OutgoingMessage;
import com.deliverychannels.delivery.SendOutcome;

/**
 * Sends on the channel the user chose: our relay, the user's SMTP server (host re-checked against the
 * SSRF policy, password unsealed for this attempt only), or Gmail (an access token by the refresh grant,
 * SASL XOAUTH2 as the connected account).
 */
@ApplicationScoped
public class RoutingChannelMailer implements ChannelMailer {
    private static final Logger LOG = Logger.getLogger(RoutingChannelMailer.class);

    private final MscTransport msc;
    private final VertxSmtpSender sender;
    private final SmtpHostPolicy hostPolicy;
    private final CredentialSealer sealer;
    private final GmailTokens gmailTokens;
    private final GmailConfig gmail;

    public RoutingChannelMailer(MscTransport msc, VertxSmtpSender sender, SmtpHostPolicy hostPolicy,
            CredentialSealer sealer, GmailTokens gmailTokens, GmailConfig gmail) {
        this.msc = msc;
        this.sender = sender;
        this.hostPolicy = hostPolicy;
        this.sealer = sealer;
        this.gmailTokens = gmailTokens;
        this.gmail = gmail;
    }

    @Override
    public SendOutcome send(String userId, ChannelType channel, ChannelSettings settings, OutgoingMessage message) {
        SendOutcome outcome = switch (channel) {
            case MSC -> msc.send(message);
            case SMTP -> sendSmtp(userId, settings.smtp(), message);
            case GMAIL -> sendGmail(userId, settings.gmail(), message);
        };
        if (outcome instanceof SendOutcome.Failed failed) {
            LOG.infof("delivery %s on %s failed: %s", message.deliveryId(), channel, failed.kind());
        }
        return outcome;
    }

    private SendOutcome sendSmtp(String userId, SmtpSettings smtp, OutgoingMessage message) {
        if (smtp == null) {
            return new SendOutcome.Failed(FailureKind.CHANNEL_UNUSABLE, "no SMTP settings");
        }
        SmtpHostPolicy.Resolution resolution = hostPolicy.resolveForConnect(smtp.host());
        if (resolution instanceof SmtpHostPolicy.Resolution.Refused) {
            return new SendOutcome.Failed(FailureKind.CHANNEL_UNUSABLE,
                    smtp.host() + " resolves to an address that cannot be used");
        }
        if (resolution instanceof SmtpHostPolicy.Resolution.Unresolvable) {
            return new SendOutcome.Failed(FailureKind.CONNECTION, smtp.host() + " does not resolve");
        }
        String password;
        try {
            password = sealer.unseal(smtp.sealedPassword(), com.deliverychannels.channel.ChannelService.smtpPasswordContext(userId));
        } catch (UnavailableException e) {
            return new SendOutcome.Failed(FailureKind.CHANNEL_UNUSABLE, "the stored password cannot be read");
        }
        // The address was vetted by name just now; the JVM's DNS cache answers Vert.x's lookup the same way.
        return sender.send(new SmtpTarget(smtp.host(), smtp.port(), smtp.security(), smtp.username(), password,
                smtp.authMethod().name(), domainOf(message.fromAddress())), message);
    }

    private SendOutcome sendGmail(String userId, GmailConnection connection, OutgoingMessage message) {
        if (connection == null) {
            return new SendOutcome.Failed(FailureKind.CHANNEL_UNUSABLE, "Gmail is not connected");
        }
        if (connection.status() == GmailStatus.RECONNECT_REQUIRED) {
            return new SendOutcome.Failed(FailureKind.GRANT_REVOKED, "Gmail must be connected again");
        }
        String refreshToken;
        try {
            refreshToken = sealer.unseal(connection.sealedRefreshToken(),
                    com.deliverychannels.channel.ChannelService.gmailTokenContext(userId));
        } catch (UnavailableException e) {
            return new SendOutcome.Failed(FailureKind.CHANNEL_UNUSABLE, "the stored Gmail grant cannot be read");
        }
        SendOutcome outcome = sendGmailOnce(connection, refreshToken, message);
        if (outcome instanceof SendOutcome.Failed failed && failed.kind() == FailureKind.AUTH_FAILED) {
            // A cached access token Google no longer accepts: one more try with a fresh one before the
            // refusal counts as the grant's.
            gmailTokens.forget(refreshToken);
            outcome = sendGmailOnce(connection, refreshToken, message);
            if (outcome instanceof SendOutcome.Failed again && again.kind() == FailureKind.AUTH_FAILED) {
                gmailTokens.forget(refreshToken);
            }
        }
        return outcome;
    }

    private SendOutcome sendGmailOnce(GmailConnection connection, String refreshToken, OutgoingMessage message) {
        String accessToken;
        try {
            accessToken = gmailTokens.accessToken(refreshToken);
        } catch (GmailTokenException e) {
            FailureKind kind = switch (e.kind()) {
                case INVALID_GRANT -> FailureKind.GRANT_REVOKED;
                case UNAVAILABLE -> FailureKind.TOKEN_ENDPOINT_UNAVAILABLE;
                case REFUSED -> FailureKind.CHANNEL_UNUSABLE;
            };
            return new SendOutcome.Failed(kind, e.getMessage());
        }
        return sender.send(new SmtpTarget(gmail.smtpHost(), gmail.smtpPort(), gmail.smtpSecurity(),
                connection.address(), accessToken, "XOAUTH2", domainOf(connection.address())), message);
    }

    private static String domainOf(String address) {
        return address.substring(address.lastIndexOf('@') + 1);
    }
}
