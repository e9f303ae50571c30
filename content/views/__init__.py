"""Student pages (`student`), thin views over content's services and selectors."""
