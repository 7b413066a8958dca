# config/ files
