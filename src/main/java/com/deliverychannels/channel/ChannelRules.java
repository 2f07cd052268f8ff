package com.deliverychannels.channel;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import com.deliverychannels.config.MscConfig;
import com.deliverychannels.config.SmtpPolicyConfig;

/** Builds the plain rule objects of this package from configuration, so they stay testable without CDI. */
@ApplicationScoped
public class ChannelRules {

    @Produces
    @ApplicationScoped
    SmtpHostPolicy smtpHostPolicy(SmtpPolicyConfig config, SmtpHostPolicy.HostResolver resolver) {
        return new SmtpHostPolicy(config.allowPrivateHosts(), resolver);
    }

    @Produces
    @ApplicationScoped
    ChannelPreviewRules previewRules(MscConfig msc) {
        return new ChannelPreviewRules(msc.senderDomain());
    }
}
