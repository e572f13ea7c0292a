"""What a run leaves behind: its files (:mod:`.files`), the printed summary (:mod:`.summary`),
the picture of a day (:mod:`.plots`) and the docs' generated tables (:mod:`.readme_tables`)."""
