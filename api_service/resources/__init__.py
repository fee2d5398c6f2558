"""One blueprint per resource; views only parse, call the query layer, and shape output."""
