# test tools (pstnsim...)
