# dsp/ files
