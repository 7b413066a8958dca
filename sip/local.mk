# sip/ files
