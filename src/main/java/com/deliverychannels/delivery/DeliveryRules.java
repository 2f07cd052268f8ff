package com.deliverychannels.delivery;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

import com.deliverychannels.config.MscConfig;
import com.deliverychannels.config.RetryConfig;

/** Builds the plain rule objects of this package from configuration, so they stay testable without CDI. */
@ApplicationScoped
public class DeliveryRules {

    @Produces
    @ApplicationScoped
    RetryPolicy retryPolicy(RetryConfig config) {
        return new RetryPolicy(config);
    }

    @Produces
    @ApplicationScoped
    MessageComposer messageComposer(MscConfig msc) {
        return new MessageComposer(msc);
    }
}
