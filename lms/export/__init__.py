"""Packages a learning management system imports: IMS QTI 2.1 (a quiz) and IMS Common
Cartridge 1.3 (a lesson with quizzes). Pure functions of the stored content: no database, no
request; ``lms.selectors`` decides who may export what, ``lms.api`` serves the result."""
