package com.deliverychannels.function;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The scheduled retry sweep (a shell until issue 5: it fails loudly rather than pretend to sweep). */
public class RetryFunction {

    /** An EventBridge scheduled event; {@code detail-type} is not a Java name, hence the annotation. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ScheduledEvent(String id, String source, @JsonProperty("detail-type") String detailType,
            String time) {
    }

    @Funq("retry")
    public void retry(ScheduledEvent event) {
        throw new UnsupportedOperationException("the retry sweep is not built yet (issue 5)");
    }
}
