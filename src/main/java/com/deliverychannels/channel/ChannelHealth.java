package com.deliverychannels.channel;

import java.time.Clock;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

/**
 * What sending learns about a channel's connection: a server that refuses the credentials marks SMTP
 * AUTH_FAILED; Google refusing the grant marks Gmail RECONNECT_REQUIRED. The user sees it in the preview
 * and fixes it; nothing is retried until then.
 */
@ApplicationScoped
public class ChannelHealth {
    private static final Logger LOG = Logger.getLogger(ChannelHealth.class);

    private final ChannelStore store;
    private final Clock clock;

    public ChannelHealth(ChannelStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The user's SMTP server refused the stored credentials. */
    public void smtpAuthenticationFailed(String userId) {
        OptimisticRetry.run(() -> {
            ChannelSettings current = store.settings(userId);
            if (current.smtp() == null || current.smtp().status() == SmtpStatus.AUTH_FAILED) {
                return Optional.of(current);
            }
            ChannelSettings next = current.withSmtp(current.smtp().withStatus(SmtpStatus.AUTH_FAILED,
                    current.smtp().updatedAt())).nextVersion(clock.instant());
            return store.replaceSettings(userId, next, current.version()) ? Optional.of(next) : Optional.empty();
        });
        LOG.infof("SMTP credentials of user %s refused: status AUTH_FAILED", userId);
    }

    /** Google refused the user's refresh token. */
    public void gmailGrantRevoked(String userId) {
        OptimisticRetry.run(() -> {
            ChannelSettings current = store.settings(userId);
            if (current.gmail() == null || current.gmail().status() == GmailStatus.RECONNECT_REQUIRED) {
                return Optional.of(current);
            }
            GmailConnection gmail = current.gmail();
            ChannelSettings next = current.withGmail(new GmailConnection(gmail.address(), gmail.sealedRefreshToken(),
                    GmailStatus.RECONNECT_REQUIRED, gmail.connectedAt())).nextVersion(clock.instant());
            return store.replaceSettings(userId, next, current.version()) ? Optional.of(next) : Optional.empty();
        });
        LOG.infof("Gmail grant of user %s refused: status RECONNECT_REQUIRED", userId);
    }
}
