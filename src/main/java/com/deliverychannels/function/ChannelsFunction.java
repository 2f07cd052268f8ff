package com.deliverychannels.function;

import io.quarkus.funqy.Funq;

public class ChannelsFunction {
    @Funq("channels")
    public String channels(String in) { return in; }
}
