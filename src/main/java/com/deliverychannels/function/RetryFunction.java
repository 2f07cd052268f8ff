package com.deliverychannels.function;

import com.deliverychannels.delivery.RetrySweep;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.quarkus.funqy.Funq;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** The retry sweep, run by an EventBridge schedule. */
@RegisterForReflection(targets = RetrySweep.Summary.class)
public class RetryFunction {
    private final RetrySweep sweep;

    public RetryFunction(RetrySweep sweep) {
        this.sweep = sweep;
    }

    /** An EventBridge scheduled event; {@code detail-type} is not a Java name, hence the annotation. */
    @RegisterForReflection
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ScheduledEvent(String id, String source, @JsonProperty("detail-type") String detailType,
            String time) {
    }

    @Funq("retry")
    public RetrySweep.Summary retry(ScheduledEvent event) {
        if (event == null || !"aws.events".equals(event.source()) || !"Scheduled Event".equals(event.detailType())) {
            throw new IllegalArgumentException("the retry function runs on EventBridge scheduled events only");
        }
        return sweep.sweep();
    }
}
