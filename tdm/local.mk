# tdm/ files
