package com.deliverychannels.bounce;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import com.deliverychannels.config.BounceConfig;
import com.deliverychannels.config.SnsConfig;

/** Builds this package's plain objects from configuration, so they stay testable without CDI. */
@ApplicationScoped
public class BounceRules {
    /** AWS's documented freshness rule for SNS messages: refuse what was signed over an hour ago. */
    static final Duration MAX_AGE = Duration.ofHours(1);
    static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);

    @Produces
    @ApplicationScoped
    SnsSignatureVerifier snsSignatureVerifier(SnsConfig sns, Clock clock) {
        return new SnsSignatureVerifier(HttpsSigningCertificates.standard(FETCH_TIMEOUT),
                Pattern.compile(sns.certUrlPattern()), clock, MAX_AGE);
    }

    @Produces
    @ApplicationScoped
    SesNotificationParser sesNotificationParser() {
        return new SesNotificationParser();
    }

    @Produces
    @ApplicationScoped
    SnsIntake snsIntake(SnsSignatureVerifier verifier, SesNotificationParser parser, BounceService bounces,
            SnsMessageLedger ledger, BounceConfig config) {
        return new SnsIntake(verifier, parser, bounces, ledger, SubscriptionConfirmer.standard(FETCH_TIMEOUT),
                config.topicArns().orElse(List.of()));
    }
}
